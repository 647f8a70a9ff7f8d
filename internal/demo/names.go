package demo

import "carecircle/internal/care"

// The name tables follow how Chinese given names changed with the times, so
// that a 90-year-old is called 秀英 or 德明 and a student 雨桐 or 浩然: a
// demo with era-wrong names would look fake to the staff it is shown to.

// surnames are ordered roughly by frequency (with the Jiangsu favourites
// 陈, 周, 吴, 徐, 朱, 顾, 陆 moved up); personName favours the front.
var surnames = []string{
	"王", "李", "张", "陈", "刘", "周", "吴", "徐", "杨", "朱", "孙", "黄", "赵", "马", "胡",
	"郭", "何", "林", "高", "罗", "沈", "顾", "陆", "钱", "梁", "郑", "谢", "宋", "唐", "许",
	"韩", "冯", "邓", "曹", "彭", "曾", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕",
	"丁", "任", "姚", "卢", "姜", "潘", "袁", "汪", "范", "金", "石", "夏", "方", "邹", "孟",
	"秦", "江", "薛", "戴", "严", "汤", "尹", "段", "贺", "毛",
}

// era is a generation of given names.
type era int

const (
	eraOld   era = iota // born 1925–1965: the elders
	eraMid              // born 1950–1975: neighbour volunteers, elders' children
	eraYoung            // born 1980–2008: students and young workers
)

var givenNames = map[era]map[care.Gender][]string{
	eraOld: {
		care.Female: {
			"秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉英", "兰英",
			"玉梅", "淑珍", "素珍", "翠英", "凤兰", "桂珍", "秀云", "桂芳", "淑英", "美英",
			"秀芳", "金凤", "月英", "爱华", "玉华", "淑华", "丽华", "素英", "菊英", "桂香",
			"秀梅", "玉芳", "秀华", "凤珍", "惠珍", "静芬", "佩珍", "文英", "月娥", "巧云",
			"金兰", "红英", "慧英", "宝珍", "招娣", "来娣", "国英", "淑兰", "幼兰", "冬梅",
		},
		care.Male: {
			"建国", "国华", "德明", "国强", "建华", "志强", "文华", "福生", "永康", "德才",
			"有才", "金宝", "长生", "树林", "学文", "振华", "建军", "国庆", "援朝", "跃进",
			"宝林", "家驹", "守义", "春生", "根生", "正德", "荣华", "立新", "明德", "保国",
			"庆华", "和平", "福林", "永福", "金生", "德胜", "志明", "国富", "文斌", "少华",
			"世荣", "振国", "德海", "兴华", "正明", "玉林", "广才", "洪生", "家福", "锡林",
		},
	},
	eraMid: {
		care.Female: {
			"丽萍", "红梅", "建萍", "秀琴", "晓红", "爱萍", "玉萍", "红霞", "美玲", "凤琴",
			"小燕", "丽君", "卫红", "桂琴", "素琴", "亚萍", "春燕", "海燕", "雪梅", "建芳",
			"丽娟", "月琴", "秋菊", "晓梅", "丽芳", "慧琴", "爱玲", "晓燕", "红", "燕",
		},
		care.Male: {
			"建平", "卫国", "爱民", "国平", "建明", "志刚", "晓东", "卫东", "建新", "红兵",
			"向东", "建伟", "立军", "永明", "建中", "国良", "海林", "志华", "小平", "建林",
			"国荣", "卫平", "新华", "长青", "金山", "宏伟", "庆生", "明华", "军", "伟",
		},
	},
	eraYoung: {
		care.Female: {
			"子涵", "雨桐", "欣怡", "梓萱", "思雨", "佳琪", "诗涵", "婷婷", "晓雯", "梦琪",
			"欣然", "可馨", "佳怡", "一诺", "雨萱", "若曦", "晨曦", "文静", "慧敏", "思琪",
			"雪", "静", "悦", "倩", "丹",
		},
		care.Male: {
			"浩然", "宇航", "俊杰", "子轩", "思远", "浩宇", "一鸣", "博文", "天佑", "皓轩",
			"明轩", "晨阳", "嘉豪", "志远", "逸飞", "家乐", "子豪", "宇", "磊", "鹏",
			"杰", "涛", "浩", "睿", "晨",
		},
	},
}

// personName returns a full name not yet used in the demo, so that staff
// trying the search box find exactly the person they picked.
func (f *filler) personName(g care.Gender, e era) string {
	given := givenNames[e][g]
	for {
		n := f.surname() + pick(f, given)
		if !f.names[n] {
			f.names[n] = true
			return n
		}
	}
}

// surname picks from surnames with a bias to the front (u² puts half of the
// picks in the first quarter), much like real frequencies.
func (f *filler) surname() string {
	u := f.rng.Float64()
	return surnames[int(u*u*float64(len(surnames)))]
}

// contactName names an elder's child (with the family surname) or another
// contact (with any surname).
func (f *filler) contactName(elder *elder, relation, family string) string {
	child := relation == "son" || relation == "daughter"
	g := care.Male
	if relation == "daughter" || (!child && f.chance(0.5)) {
		g = care.Female
	}
	e := eraMid
	if elder.age < 75 {
		e = eraYoung
	}
	given := pick(f, givenNames[e][g])
	if child {
		return family + given
	}
	return f.surname() + given
}
